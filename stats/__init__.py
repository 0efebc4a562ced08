"""Usage statistics per the COUNTER Code of Practice for Research Data (release 1.0.1)."""
