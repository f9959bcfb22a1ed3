from rest_framework import serializers

from drf_api.serializers import StrictCharField


class AccountDeletionSerializer(serializers.Serializer):
    """The account's password, asked again: a stolen access token alone cannot delete an account."""

    password = StrictCharField(max_length=128, trim_whitespace=False, style={"input_type": "password"},
                               help_text="The account's current password.")

    def validate_password(self, password):
        if not self.context["request"].user.check_password(password):
            raise serializers.ValidationError("The password is not correct.")
        return password
