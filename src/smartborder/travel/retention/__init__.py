"""Retention of API/PNR personal data: masked after one period, deleted after a longer one."""
