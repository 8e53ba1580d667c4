"""The reports' side effects: PDF and XLSX files, past meetings and feed revocations."""
