package io.github.grpcgraceful.internal.probe;

import java.io.IOException;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;

/**
 * Notes the HTTP callers of Actuator's health and readiness (not liveness, which stays up
 * during a drain) as health probers, told apart by address and user agent. A caller that
 * connects anew for each probe (a load balancer's health check) is still one prober.
 */
public final class HealthProbeFilter implements Filter {

    private final HealthProbers probers;

    /** Actuator's health path within the application, as in {@code /actuator/health}. */
    private final String healthPath;

    public HealthProbeFilter(HealthProbers probers, String healthPath) {
        this.probers = probers;
        this.healthPath = healthPath;
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (request instanceof HttpServletRequest http && isHealthProbe(path(http))) {
            String agent = http.getHeader("User-Agent");
            probers.probed("HTTP health from " + http.getRemoteAddr() + ((agent == null) ? "" : " (" + agent + ")"));
        }
        chain.doFilter(request, response);
    }

    private static String path(HttpServletRequest request) {
        String uri = request.getRequestURI();
        String context = request.getContextPath();
        return (context != null && !context.isEmpty() && uri.startsWith(context)) ? uri.substring(context.length())
                : uri;
    }

    /** Whether a request for {@code path} probes health or readiness (not liveness). */
    public boolean isHealthProbe(String path) {
        if (path.equals(healthPath)) {
            return true;
        }
        return path.startsWith(healthPath + "/") && !path.startsWith(healthPath + "/liveness");
    }

}
