from .models import Job


def jobs_of(organisation, kind_prefix: str = ""):
    return Job.objects.filter(organisation=organisation, kind__startswith=kind_prefix)
