/** The {@code spool-producer} command line: map, stop, demo. */
package dev.spool.producer.cli;
