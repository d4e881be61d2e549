"""The StatQuest look shared by every lesson scene."""
