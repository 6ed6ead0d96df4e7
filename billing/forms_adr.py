"""The forms of the secure FTP site's credentials; billing.credentials holds their rules."""

from django import forms

from .credentials import MIN_PASSWORD_LENGTH

# The longest public key worth reading: an RSA key of 16384 bits is under 3,000 characters.
MAX_KEY_LENGTH = 16_000


class AddPublicKeyForm(forms.Form):
    public_key = forms.CharField(
        label="Public key",
        max_length=MAX_KEY_LENGTH,
        strip=True,
        widget=forms.Textarea(
            attrs={"rows": 4, "spellcheck": "false", "autocomplete": "off", "autocapitalize": "off"}
        ),
        help_text="The line in your .pub file, e.g. ~/.ssh/id_ed25519.pub: it starts with "
        "ssh-ed25519, ecdsa-sha2- or ssh-rsa. Never paste the private key.",
    )


class SetPasswordForm(forms.Form):
    password = forms.CharField(
        label="Password",
        required=False,
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=f"Leave it empty to have a strong password made for you, or type your own of at "
        f"least {MIN_PASSWORD_LENGTH} characters. It replaces the current password.",
    )

    def clean_password(self):
        # Empty means "make one for me".
        return self.cleaned_data["password"] or None
