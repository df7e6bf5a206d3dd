"""What every app may use: the client's address, normalised identities, shared rate limits."""
