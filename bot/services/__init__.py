"""Services: each feature's use cases, Slack-free. Stores are injected; errors are Dutch."""
