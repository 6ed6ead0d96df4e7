"""The forms of a port order's documents pop-up: upload a document, sign the LOA in the portal."""

from django import forms

from .documents import check_upload

ACCEPTED_FILES = ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"


class DocumentUploadForm(forms.Form):
    # Empty files are refused by check_upload, in its words, with every other bad file.
    file = forms.FileField(
        allow_empty_file=True, widget=forms.FileInput(attrs={"accept": ACCEPTED_FILES})
    )

    def __init__(self, *args, label, help_text, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].label = label
        self.fields["file"].help_text = help_text

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        check_upload(uploaded)
        return uploaded


class SignLoaForm(forms.Form):
    name = forms.CharField(label="Your full name", max_length=80)
    title = forms.CharField(label="Your title", max_length=80)
    consent = forms.BooleanField(
        label="I am authorized to act for the account holder and I sign this LOA electronically"
    )
