package ru.otus.socialnet.user;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Page bounds of {@code /user/search}: without {@code limit} a search returns at most
 * {@code defaultLimit} users; {@code limit} may ask for up to {@code maxLimit}.
 */
@ConfigurationProperties("socialnet.search")
public record SearchProperties(@DefaultValue("100") int defaultLimit, @DefaultValue("1000") int maxLimit) {
}
