"""Goods: advance commercial information, trade parties and shipment risk (issue 34)."""
