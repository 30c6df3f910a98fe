import factory

from aptic.accounts.models import Membership, Organisation, User
from aptic.territories.models import Commune, Departement, Region
from aptic.territories.normalise import normalise_name

PASSWORD = "un-mot-de-passe-solide"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]

    email = factory.Sequence(lambda n: f"personne{n}@exemple.fr")
    full_name = factory.Faker("name", locale="fr_FR")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def otp_device(obj, create, extracted, **kwargs):
        """Staff get a confirmed TOTP device (ADR 0019), so that `client.force_login(staff)` can open
        the staff pages (see `_force_login_verifies_staff` in aptic/conftest.py). Pass
        `otp_device=False` for a staff member who has not enrolled yet."""
        if create and obj.is_staff and extracted is not False:
            from aptic.accounts.two_factor import totp_device_create

            totp_device_create(user=obj)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = "funder"
    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = "member"


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["code"]

    code = "84"
    name = "Auvergne-Rhône-Alpes"


class DepartementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Departement
        django_get_or_create = ["code"]

    code = "42"
    name = "Loire"
    region = factory.SubFactory(RegionFactory)


class CommuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commune
        django_get_or_create = ["insee_code"]

    insee_code = "42218"
    name = "Saint-Étienne"
    search_name = factory.LazyAttribute(lambda o: normalise_name(o.name))
    departement = factory.SubFactory(DepartementFactory)
    region = factory.LazyAttribute(lambda o: o.departement.region)
    population = 173136
    latitude = 45.4241
    longitude = 4.36647
    postal_codes = "42000 42100 42230"
