"""The Lark grammar of the Mini language, shipped as package data."""
