/** What Spool's command lines share: connection options and one way of reporting errors. */
package dev.spool.core.cli;
