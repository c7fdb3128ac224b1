"""The events app's forms, by the area they serve: `public` and `organise`."""
