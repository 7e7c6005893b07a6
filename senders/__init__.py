"""Campaigns: template registry, campaign definitions, audience policy, the Cloud API
client and simulator, and the send ledger."""
