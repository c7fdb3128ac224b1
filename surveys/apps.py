from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "surveys"

    def ready(self):
        from members.services import organisations_merged

        organisations_merged.connect(_organisations_merged, dispatch_uid="surveys.regroup")


def _organisations_merged(sender, *, merged_ids, into, **kwargs):
    """Anonymous answers still sealed hold their organisation inside the seal, where the merge's
    walk over the relations cannot reach: they count as given from the kept one too."""
    from .services import sealed_responses_regroup

    sealed_responses_regroup(organisation_ids=merged_ids, into=into)
