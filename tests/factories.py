import factory
from django.contrib.auth.hashers import make_password

from accounts.models import Enterprise, Role, User

PASSWORD = "correct horse battery staple"
# Hashing once keeps user creation fast; every test user signs in with PASSWORD.
PASSWORD_HASH = make_password(PASSWORD)


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    name = factory.Sequence(lambda n: f"Enterprise {n}")
    account_number = factory.Sequence(lambda n: f"ACC{100000 + n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Sequence(lambda n: f"User {n}")
    enterprise = factory.SubFactory(EnterpriseFactory)
    role = factory.LazyFunction(lambda: Role.objects.get(slug=Role.GENERAL_USER))
    password = PASSWORD_HASH

    @factory.post_generation
    def verified(user, create, extracted, **kwargs):
        """Give the user a verified primary address, as allauth expects at sign-in."""
        if create and user.email:
            from allauth.account.models import EmailAddress

            EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)


def role(slug):
    return Role.objects.get(slug=slug)
