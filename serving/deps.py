"""Shared request dependencies as Annotated aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine

from pipelines.settings import Settings
from serving.consultation.in_force import AnsweredStates
from serving.state import LoadedState, StateHolder


def get_holder(request: Request) -> StateHolder:
    holder: StateHolder = request.app.state.holder
    return holder


def get_state(request: Request) -> LoadedState:
    """The state this request uses from start to end (503 when none is loaded), with the
    newest consultation answers in force (serving/consultation/in_force.py)."""
    answered: AnsweredStates = request.app.state.answered_states
    return answered.state_for(get_holder(request).require(), get_engine(request))


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


HolderDep = Annotated[StateHolder, Depends(get_holder)]
StateDep = Annotated[LoadedState, Depends(get_state)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
EngineDep = Annotated[Engine, Depends(get_engine)]
