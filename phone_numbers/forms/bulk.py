from django import forms
from django.core.exceptions import ValidationError

from ..bulk import max_bytes, read_rows


class BulkUploadForm(forms.Form):
    file = forms.FileField(
        label="File of numbers and actions",
        help_text=(
            "A .csv or .txt file whose first line names the columns, as in the template. "
            "Nothing changes until you confirm the preview."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv,text/plain"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > max_bytes():
            raise ValidationError(
                "The file has %(size)s bytes; the limit is %(limit)s.",
                params={"size": f"{upload.size:,}", "limit": f"{max_bytes():,}"},
            )
        self.data_bytes = upload.read()
        self.rows = read_rows(self.data_bytes)
        return upload
