package io.github.grpcgraceful.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.springframework.beans.factory.annotation.AnnotatedBeanDefinition;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.type.MethodMetadata;

/** What every backend's wiring test checks of the beans the starter defines. */
public final class StarterBeans {

    /**
     * The one bean whose name is part of its contract: the health component is named
     * after it.
     */
    private static final String HEALTH_INDICATOR = "grpcServerHealthIndicator";

    private StarterBeans() {
    }

    /**
     * Each bean the starter's configurations define is named {@code grpcShutdown…} (but
     * the health indicator) and backs off for a user's bean of its type or name; returns
     * their names.
     */
    public static List<String> assertNamedAndReplaceable(ConfigurableApplicationContext context) {
        List<String> names = new ArrayList<>();
        for (String name : context.getBeanFactory().getBeanDefinitionNames()) {
            BeanDefinition definition = context.getBeanFactory().getBeanDefinition(name);
            MethodMetadata method = definition instanceof AnnotatedBeanDefinition annotated
                    ? annotated.getFactoryMethodMetadata() : null;
            if (method == null || !method.getDeclaringClassName().startsWith("io.github.grpcgraceful.")
                    || method.getDeclaringClassName().contains("Test")) {
                continue;
            }
            names.add(name);
            if (!name.equals(HEALTH_INDICATOR)) {
                assertThat(name).as("bean name").startsWith("grpcShutdown");
            }
            assertThat(method.isAnnotated(ConditionalOnMissingBean.class.getName()))
                .as("%s backs off for a user's bean", name)
                .isTrue();
        }
        return names;
    }

}
