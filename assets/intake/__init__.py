"""What comes into the library: every upload check and refusal, and the cleaned originals.

The form, the import command and the API all go through `validation`.
"""
