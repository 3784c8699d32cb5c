"""The Dagster code location: definitions, jobs, schedules, instance set-up and the build command."""
