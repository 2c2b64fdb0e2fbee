.PHONY: demo test
# The README's two commands.
# Python keeps its compiled modules (a machine that says PYTHONDONTWRITEBYTECODE would have every
# process - each node, worker and CLI call - compile the whole application again: seconds each).
unexport PYTHONDONTWRITEBYTECODE

demo: ## set up and run the two-agency demo (nodes ca and us on SQLite)
	bash scripts/setup.sh
	PATH="$$HOME/.local/bin:$$PATH" uv run --locked smartborder demo

test: ## set up and run the whole suite (quality gates; SQLite and PostgreSQL; browser)
	bash scripts/test.sh
