"""Servers the user added: OpenAI-compatible ones they run (llama-server, vLLM, Ollama,
LM Studio), used only when they pick a model as `NAME@SERVER`. Nothing here asks a server
the user did not add."""
