"""Signing and verification of issued documents: pure functions over PDF bytes and key
configuration (no models, no views). ``keys`` loads the agency's credentials, ``pades`` signs,
``verify`` judges a PDF, ``stamp`` puts the verification code and QR on each page."""
