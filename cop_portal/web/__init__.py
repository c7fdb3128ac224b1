"""The portal's plumbing, below the four apps: middleware, health checks, error pages,
navigation, form and download helpers, the bar chart, slugs, the time zone, the disclosure rules
for small numbers and the organiser pages' generic views. It knows no model and imports no app
(tests/architecture checks it); every app may import it."""
