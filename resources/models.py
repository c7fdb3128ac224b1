from django.db import models
from django.db.models.functions import Lower


class Topic(models.Model):
    """A subject in the CoP's managed taxonomy: tags resources and members' areas of interest."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = [Lower("name")]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="topic_name_ci_unique",
                violation_error_message="A topic with this name already exists.",
            )
        ]

    def __str__(self):
        return self.name
