/**
 * Replication: the peers a node knows ({@link net.tesseras.replication.PeerLookup}, which a DHT can
 * replace), and the {@link net.tesseras.replication.ReplicationService} that places a tessera's
 * fragments on peers, proves their possession, repairs what is lost, restores a tessera from the
 * network and keeps the reciprocity ledger. docs/REPLICATION.md explains the rules;
 * docs/PROTOCOL.md the messages.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package net.tesseras.replication;
