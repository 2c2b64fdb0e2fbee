"""API/PNR (the Smart Border Action Plan's advance passenger information and passenger name
records), cut by sub-domain: ``intake`` (messages read and filed), ``riskmodels`` (the joint
risk model), ``targeting`` (scoring, the queue, board / no-board, sharing) and ``retention``."""
