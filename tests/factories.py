"""Factories for test data. Writes go through the same model save() as production code."""

from __future__ import annotations

import datetime as dt

import factory

from homeward.accounts.models import Agency, User
from homeward.places.models import Place
from homeward.registry.models import Household, Person


class PlaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Place
        django_get_or_create = ("code",)

    level = "settlement"
    code = factory.Sequence(lambda n: f"TEST-{n:05d}")
    name = factory.Sequence(lambda n: f"Place {n}")
    source = "survey"
    latitude = 39.8
    longitude = 46.7


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"agency-{n}")
    name = factory.Sequence(lambda n: f"Agency {n}")
    kind = "government"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = "caseworker"
    password = factory.django.Password("correct horse battery")

    @factory.post_generation
    def districts(self, create: bool, extracted: list[Place] | None, **kwargs: object) -> None:
        if create and extracted:
            self.districts.set(extracted)


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    reference = factory.Sequence(lambda n: f"HH-{n:06d}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    given_name = factory.Iterator(["Aygün", "Rauf", "Leyla", "Elvin"])
    family_name = factory.Iterator(["Məmmədova", "Həsənov", "Quliyeva", "Əliyev"])
    birth_date = dt.date(1980, 5, 17)
    sex = "female"
