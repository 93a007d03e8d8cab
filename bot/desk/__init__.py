"""The liaison office's desk: the ledger (台账), deputies' records and Excel workbooks."""
