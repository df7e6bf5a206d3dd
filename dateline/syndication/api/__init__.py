"""The wire API for partner agencies: ninjs 3.1 items behind per-partner API keys."""
