"""One module per group of history APIs, each a mixin over EngineCore."""
