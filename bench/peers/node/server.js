// The FastAPI tutorial's endpoints on Node.js + ws@8, as a peer for `roomcast bench`:
// /echo answers "Message text was: ...", /ws is the global chat, /ws/{room} the multi-room chat.
// Usage: node server.js PORT
'use strict';
const http = require('http');
const { WebSocketServer } = require('ws');

const port = Number(process.argv[2] || 8000);
const rooms = new Map(); // room -> Set of sockets
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });

function broadcast(room, text) {
  const members = rooms.get(room);
  if (!members) return;
  for (const ws of members) ws.send(text);
}

function join(room, ws, render, leftText) {
  if (!rooms.has(room)) rooms.set(room, new Set());
  rooms.get(room).add(ws);
  ws.on('message', (data) => broadcast(room, render(data.toString())));
  ws.on('close', () => {
    const members = rooms.get(room);
    members.delete(ws);
    if (members.size === 0) rooms.delete(room);
    broadcast(room, leftText);
  });
}

const server = http.createServer((req, res) => {
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('no such path\n');
});

server.on('upgrade', (req, socket, head) => {
  const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  wss.handleUpgrade(req, socket, head, (ws) => {
    if (path === '/echo') {
      ws.on('message', (data) => ws.send('Message text was: ' + data.toString()));
    } else if (path === '/ws') {
      join('', ws, (t) => 'Message: ' + t, 'Client left the chat');
    } else if (path.startsWith('/ws/')) {
      const room = path.substring(4);
      join('/' + room, ws, (t) => 'Message from ' + room + ': ' + t, 'Client left the room ' + room);
    } else {
      ws.close(1008, 'no such path');
    }
  });
});

server.listen(port, '127.0.0.1', () => console.error(`node ws peer on 127.0.0.1:${port}`));
