from django.contrib.auth.hashers import Argon2PasswordHasher


class QuickArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2 with a small work factor, so persona set-up stays fast. Production keeps the default."""

    time_cost = 1
    memory_cost = 256
    parallelism = 1
