"""Work the portal does outside a request: the task queue's workers, the schedules they run and
their health. Plumbing: it imports no app; apps declare their tasks in `<app>/tasks.py`."""
