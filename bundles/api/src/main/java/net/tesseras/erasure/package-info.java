/**
 * Erasure coding: the {@link net.tesseras.erasure.ErasureCoder} service that computes parity
 * shards and rebuilds lost ones. The node ships a Reed-Solomon coder over GF(2^8) whose output
 * is byte-identical to Backblaze JavaReedSolomon; a faster implementation can be deployed as
 * another service with a higher ranking.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package net.tesseras.erasure;
