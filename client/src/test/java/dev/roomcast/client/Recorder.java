package dev.roomcast.client;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A client's listener for tests: keeps everything it is told, in order, for assertions.
 *
 * <p>Threading: thread-safe lists; the client calls it on its callback lane.
 */
final class Recorder implements ClientListener, Consumer<Message> {

    final List<Message> messages = new CopyOnWriteArrayList<>();
    final List<DirectMessage> directs = new CopyOnWriteArrayList<>();
    final List<PresenceChange> presence = new CopyOnWriteArrayList<>();
    final List<Occupancy> occupancy = new CopyOnWriteArrayList<>();
    final List<ConnectionEvent> connections = new CopyOnWriteArrayList<>();
    final List<Recovery> recoveries = new CopyOnWriteArrayList<>();
    final List<Throwable> errors = new CopyOnWriteArrayList<>();

    @Override
    public void accept(Message message) {
        messages.add(message);
    }

    @Override
    public void onDirect(DirectMessage message) {
        directs.add(message);
    }

    @Override
    public void onPresence(PresenceChange change) {
        presence.add(change);
    }

    @Override
    public void onOccupancy(Occupancy count) {
        occupancy.add(count);
    }

    @Override
    public void onConnection(ConnectionEvent event) {
        connections.add(event);
    }

    @Override
    public void onRecovery(Recovery recovery) {
        recoveries.add(recovery);
    }

    @Override
    public void onError(Throwable error) {
        errors.add(error);
    }

    List<String> texts() {
        return messages.stream().map(Message::text).toList();
    }

    long opens() {
        return connections.stream().filter(event -> event.state() == ConnectionState.OPEN).count();
    }
}
