# The same steps CI runs (see ./dev and .ci/run).
.PHONY: install demo test lint pytest messages bench

install:
	./dev install

demo:
	./dev demo

test:
	./dev test

lint:
	./dev lint

pytest:
	./dev pytest -n 2

messages:
	.venv/bin/homeward messages extract && .venv/bin/homeward messages compile
