"""The meeting workflow: one per meeting, from planning to closing.

`workflow.py` holds `MeetingWorkflow` and its `run()`, phase by phase. Every other module
here is the handlers of one feature, a mixin over `base.MeetingBase` (which holds the one
state object, `self.s`, a `domain.meeting.state.MeetingState`):

    registration.py  rsvp                      changes.py   schedule, reschedule, cancel
    reminders.py     planned reminders, remind agenda.py    propose, decide, publish
    attendance.py    check-in, online join     followup.py  minutes, action items
    status.py        the paged status query    timer.py     the one wake-up helper

A new feature adds one module with one mixin class and lists it in MeetingWorkflow's bases.
Changing what a running meeting does goes behind `workflow.patched(...)`.
"""
