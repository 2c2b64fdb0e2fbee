"""The operations picture: what a node did, hour by hour, and how its exchange with the partner
stands now (``overview``), from counts the node keeps by the hour (``rollup``)."""
