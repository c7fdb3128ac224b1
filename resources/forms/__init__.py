"""The resource hub's forms, by the area they serve: `hub`, `community` and `organise`."""
