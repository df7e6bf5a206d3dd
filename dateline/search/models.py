"""No models: the index lives in tables the migrations create for the database in use."""
