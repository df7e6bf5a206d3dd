"""What `dateline serve` runs: granian's command lines (`granian.py`), the supervisor that
restarts a dead child (`supervisor.py`) and the bulkhead in front of Django (`bulkhead.py`)."""
