# The FastAPI tutorial's WebSocket endpoints, as written there, as a peer for `roomcast bench`:
# /echo is the tutorial's first echo endpoint, /ws its broadcast chat and /ws/{room} its
# multi-room chat. Run: /usr/bin/python3 -m uvicorn main:app --port PORT
from typing import Dict, List

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()


@app.websocket("/echo")
async def echo_endpoint(websocket: WebSocket):
    await websocket.accept()
    try:
        while True:
            data = await websocket.receive_text()
            await websocket.send_text(f"Message text was: {data}")
    except WebSocketDisconnect:
        pass


class ConnectionManager:
    def __init__(self):
        self.active_connections: Dict[str, List[WebSocket]] = {}

    async def connect(self, room: str, websocket: WebSocket):
        await websocket.accept()
        if room not in self.active_connections:
            self.active_connections[room] = []
        self.active_connections[room].append(websocket)

    def disconnect(self, room: str, websocket: WebSocket):
        self.active_connections[room].remove(websocket)
        if not self.active_connections[room]:
            del self.active_connections[room]

    async def broadcast(self, room: str, message: str):
        if room in self.active_connections:
            for connection in self.active_connections[room]:
                await connection.send_text(message)


manager = ConnectionManager()
GLOBAL = "/"  # the tutorial's /ws chat, kept apart from every named room


@app.websocket("/ws")
async def global_endpoint(websocket: WebSocket):
    await manager.connect(GLOBAL, websocket)
    try:
        while True:
            data = await websocket.receive_text()
            await manager.broadcast(GLOBAL, f"Message: {data}")
    except WebSocketDisconnect:
        manager.disconnect(GLOBAL, websocket)
        await manager.broadcast(GLOBAL, "Client left the chat")


@app.websocket("/ws/{room}")
async def websocket_endpoint(websocket: WebSocket, room: str):
    await manager.connect(room, websocket)
    try:
        while True:
            data = await websocket.receive_text()
            await manager.broadcast(room, f"Message from {room}: {data}")
    except WebSocketDisconnect:
        manager.disconnect(room, websocket)
        await manager.broadcast(room, f"Client left the room {room}")
