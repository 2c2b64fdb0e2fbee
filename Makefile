.PHONY: demo test
# The README's two commands.

demo: ## set up and run the two-agency demo (nodes ca and us on SQLite)
	bash scripts/setup.sh
	PATH="$$HOME/.local/bin:$$PATH" uv run --locked smartborder demo

test: ## set up and run the whole suite (quality gates; SQLite and PostgreSQL; browser)
	bash scripts/test.sh
