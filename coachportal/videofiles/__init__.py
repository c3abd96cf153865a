"""What an uploaded file is: its first bytes, its container's header and index, and its name.

Shared by uploads and matches (below both in the layers): nothing here knows a model or a provider.
"""
