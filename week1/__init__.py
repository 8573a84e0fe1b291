"""Week 1 helpers: RNN building blocks, character language model, music."""
