package io.github.grpcgraceful.boot4;

import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.catalina.connector.Connector;
import org.apache.coyote.UpgradeProtocol;
import org.apache.coyote.http2.Http2Protocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;

/**
 * Says once, when Tomcat that serves gRPC has started, if its HTTP/2 overhead protection
 * still counts small DATA frames against a connection. gRPC clients send such frames (a
 * client stream's messages; a retrying grpc-java client's unary requests on a busy
 * machine), and Tomcat then closes the whole connection with GOAWAY ENHANCE_YOUR_CALM,
 * ending every call on it: a loss that looks random from the client. A hint only: the
 * setting is the application's, and it is a protection against abuse.
 */
final class TomcatSmallFramesHint implements ApplicationListener<WebServerInitializedEvent> {

    private static final Logger log = LoggerFactory.getLogger(TomcatSmallFramesHint.class);

    /** Whether it was said: a management server of its own starts a second web server. */
    private final AtomicBoolean said = new AtomicBoolean();

    @Override
    public void onApplicationEvent(WebServerInitializedEvent event) {
        if (event.getWebServer() instanceof TomcatWebServer tomcat && countsSmallFrames(tomcat)
                && said.compareAndSet(false, true)) {
            log.info("gRPC is served by Tomcat, whose HTTP/2 overhead protection closes the connection of a client "
                    + "that sends small messages in frames of their own (GOAWAY ENHANCE_YOUR_CALM, \"Too much "
                    + "overhead\"), ending every call on it: set its HTTP/2 overheadDataThreshold to 0 "
                    + "(grpc-graceful-shutdown's docs/servlet-transport.md shows how)");
        }
    }

    private static boolean countsSmallFrames(TomcatWebServer tomcat) {
        for (Connector connector : tomcat.getTomcat().getService().findConnectors()) {
            for (UpgradeProtocol protocol : connector.findUpgradeProtocols()) {
                if (protocol instanceof Http2Protocol http2 && http2.getOverheadDataThreshold() > 0) {
                    return true;
                }
            }
        }
        return false;
    }

}
