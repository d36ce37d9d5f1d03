"""The local API: this computer's loaded model as an OpenAI-compatible endpoint (no Qt).

Opt-in and off by default (`hearth serve`, or the window's switch in Settings → Local API):
it listens on 127.0.0.1 only, asks every request for a key, and stores nothing unless told
to. Editors and scripts that speak the OpenAI API can then use the model without their words
leaving the computer.
"""
