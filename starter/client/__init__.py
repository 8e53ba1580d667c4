"""The one client every interface uses to reach the workflows: commands, schedules, audit."""
