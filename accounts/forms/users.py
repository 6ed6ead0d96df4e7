from django import forms
from django.contrib.auth import password_validation

from accounts.models import ACCESS_TYPES, Role, User


class RoleAndAccessForm(forms.Form):
    role = forms.ModelChoiceField(
        queryset=Role.objects.all(),
        empty_label="Choose a role",
        error_messages={
            "required": "Choose a role.",
            "invalid_choice": "Choose one of the roles in the list.",
        },
        help_text="A role is a pre-defined set of permissions, for example Administrator.",
    )
    access_types = forms.MultipleChoiceField(
        label="Access types",
        choices=ACCESS_TYPES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one access type.",
            "invalid_choice": "Choose access types from the list: Portal, API or SMS.",
        },
        help_text="Portal lets the user sign in here: without it they cannot sign in to the "
        "portal. API and SMS open those services to them.",
    )

    def access_kwargs(self):
        """The access types as the keyword arguments the services take."""
        chosen = self.cleaned_data["access_types"]
        return {field: field in chosen for field, _label in ACCESS_TYPES}


class EditUserForm(RoleAndAccessForm):
    name = forms.CharField(
        max_length=120,
        error_messages={"required": "Enter the user's name."},
    )

    field_order = ["name", "role", "access_types"]


class InviteForm(RoleAndAccessForm):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Enter the email address to send the invitation to.",
            "invalid": "Enter a valid email address, for example name@example.com.",
        },
    )
    name = forms.CharField(
        max_length=120,
        required=False,
        help_text="The invitee can change it when they accept.",
    )

    field_order = ["email", "name", "role", "access_types"]

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class AcceptInvitationForm(forms.Form):
    name = forms.CharField(
        label="Your name",
        max_length=120,
        error_messages={"required": "Enter your name."},
    )
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
        error_messages={"required": "Choose a password."},
    )
    password2 = forms.CharField(
        label="Password (again)",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Enter the password again."},
    )

    def __init__(self, *args, invitation, **kwargs):
        self.invitation = invitation
        kwargs.setdefault("initial", {"name": invitation.name})
        super().__init__(*args, **kwargs)

    def clean_password2(self):
        password1 = self.cleaned_data.get("password1")
        password2 = self.cleaned_data["password2"]
        if password1 and password1 != password2:
            raise forms.ValidationError("The two passwords differ.")
        return password2

    def clean(self):
        cleaned_data = super().clean()
        password = cleaned_data.get("password1")
        if password:
            # The validators compare the password with the name, address and enterprise.
            user = User(
                email=self.invitation.email,
                name=cleaned_data.get("name", ""),
                enterprise=self.invitation.enterprise,
            )
            try:
                password_validation.validate_password(password, user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned_data
